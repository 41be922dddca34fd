/* The two RT apps the A7 starts, as flat images of their TCM contents (see the Makefile). */
    .file "images.S"
    .section .secure.rodata.io_images, "a"
    .balign 4
    .global io0_image, io0_image_end, io1_image, io1_image_end
io0_image:
    .incbin "three-core-io0.bin"
io0_image_end:
    .balign 4
io1_image:
    .incbin "three-core-io1.bin"
io1_image_end:
